import type { AdminAccount } from '../../../contracts/index.js';
import { buttonClass, ModalActions } from '../../components/Modal.js';
import { SecretReveal } from '../../components/SecretReveal.js';

/** What a manager passes on after an invite or a reset: who, where to sign in, and the password, this once. */
export function OneTimePassword({ account, password, onDone }: { account: AdminAccount; password: string; onDone: () => void }) {
  const signIn = `${window.location.origin}/login`;
  return (
    <div className="space-y-3" data-testid="one-time-password">
      <p className="text-sm">
        Give <span className="font-medium wrap-anywhere">{account.displayName ?? account.email}</span> this one-time password and the sign-in address{' '}
        <span className="font-mono wrap-anywhere">{signIn}</span>; they sign in with <span className="font-medium wrap-anywhere">{account.email}</span>.
      </p>
      <SecretReveal label="One-time password" value={password} testId="one-time-password-value" />
      <p className="rounded border border-warn bg-warn-bg px-3 py-2 text-sm text-warn">
        It is shown only now. It must be changed at first sign-in: the app asks for a new password before anything else.
      </p>
      <ModalActions>
        <button type="button" onClick={onDone} className={buttonClass.primary}>
          Done
        </button>
      </ModalActions>
    </div>
  );
}
