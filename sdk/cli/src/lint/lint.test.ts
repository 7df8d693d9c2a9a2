import { describe, expect, it } from 'vitest';
import { githubAnnotation } from './report.ts';
import { didYouMean, editDistance } from './rules.ts';

describe('lint helpers', () => {
  it('suggests the closest live key only when it is close enough to be a typo', () => {
    expect(editDistance('new-pdf-engin', 'new-pdf-engine')).toBe(1);
    expect(didYouMean('new-pdf-engin', ['ai-chatbot', 'new-pdf-engine'])).toBe('new-pdf-engine');
    expect(didYouMean('checkout', ['ai-chatbot', 'new-pdf-engine'])).toBeUndefined();
  });

  it('escapes GitHub workflow-command data (%, CR, LF) and properties (also : and ,)', () => {
    const line = githubAnnotation({ rule: 'unknown-flag', key: 'k', file: 'src/a,b:c.ts', line: 3, col: 7, message: '50% off\nnow' });
    expect(line).toBe('::error file=src/a%2Cb%3Ac.ts,line=3,col=7,title=edgeflags unknown-flag::50%25 off%0Anow');
  });
});
