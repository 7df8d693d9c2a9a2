import { ContextEvaluator } from '../components/context-evaluator.tsx';
import { EnvPicker, useEnvParam } from '../components/env-picker.tsx';

export function EvaluatePage() {
  const env = useEnvParam();
  return (
    <section class="page narrow">
      <div class="page-head">
        <h1>Who gets what</h1>
        <EnvPicker />
      </div>
      <p class="muted">Enter a user's context to see every flag's value and why, from the environment's live snapshot.</p>
      <div class="panel">
        <ContextEvaluator key={env} env={env} />
      </div>
    </section>
  );
}
