import { render } from 'preact';
import { App } from './app.tsx';
// Order matters: later files refine earlier ones, and phone.css overrides everything at narrow widths.
import './styles/tokens.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/forms.css';
import './styles/components.css';
import './styles/flag-page.css';
import './styles/audit-page.css';
import './styles/release.css';
import './styles/confirm.css';
import './styles/phone.css';

render(<App />, document.getElementById('app')!);
