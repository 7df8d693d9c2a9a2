import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { SignIn } from './sign-in.tsx';

// Issue 12 §4: the sign-in field is focused, and tells a server key from an unknown token.
describe('SignIn', () => {
  const setup = () => {
    const sent: string[] = [];
    render(<SignIn busy={false} error={undefined} onSubmit={(t) => sent.push(t)} />);
    return sent;
  };

  it('focuses the token field', () => {
    setup();
    expect(document.activeElement).toBe(screen.getByLabelText('Admin token'));
  });

  it('says a pasted server key is a server key, and does not send it', () => {
    const sent = setup();
    fireEvent.input(screen.getByLabelText('Admin token'), { target: { value: 'efs_abc123' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByRole('alert').textContent).toMatch(/^That is a server SDK key/);
    expect(sent).toEqual([]);
    fireEvent.input(screen.getByLabelText('Admin token'), { target: { value: ' efa_abc123 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(sent).toEqual(['efa_abc123']);
  });

  it('shows the API verdict on an unknown admin token', () => {
    render(<SignIn busy={false} error="That admin token is unknown or revoked." onSubmit={() => undefined} />);
    expect(screen.getByRole('alert').textContent).toBe('That admin token is unknown or revoked.');
  });
});
