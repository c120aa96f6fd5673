import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { API, ROLES, type Role } from '../../../contracts/index.js';
import { ApiError, call } from '../../api/http.js';
import { adminKeys } from '../../api/query-keys.js';
import { buttonClass, Modal, ModalActions } from '../../components/Modal.js';
import { fieldErrors } from './admin-api.js';
import { OneTimePassword } from './OneTimePassword.js';
import { ROLE_HINT, roleLabel } from './roles.js';
import { FormAlert } from '../../components/FormAlert.js';

const inputClass = 'w-full rounded border border-border bg-bg px-3 py-2 text-sm';

/** Invite a person: their account is made with a one-time password, shown here once, to be replaced at first sign-in. */
export function InviteDialog({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const invite = useMutation({
    mutationFn: () => call(API.admin.invite, { body: { email, role, ...(displayName.trim() ? { displayName: displayName.trim() } : {}) } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: adminKeys.all }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };
  const fields = fieldErrors(invite.error);
  const general = invite.error && Object.keys(fields).length === 0 ? (invite.error instanceof ApiError ? invite.error.message : 'the invitation failed') : null;
  return (
    <Modal title={invite.data ? 'Invitation ready' : 'Invite a person'} onClose={onClose} testId="invite-dialog">
      {invite.data ? (
        <OneTimePassword account={invite.data.account} password={invite.data.oneTimePassword} onDone={onClose} />
      ) : (
        <form onSubmit={submit} className="space-y-4" noValidate>
          {general && <FormAlert>{general}</FormAlert>}
          <label className="block text-sm">
            <span className="mb-1 block font-medium">Email</span>
            <input
              type="email"
              name="email"
              required
              autoComplete="off"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              className={inputClass}
              aria-invalid={fields.email ? true : undefined}
              aria-describedby={fields.email ? 'invite-email-error' : undefined}
              data-autofocus
            />
            {fields.email && (
              <span id="invite-email-error" className="mt-1 block text-xs text-danger">
                Email {fields.email}.
              </span>
            )}
          </label>
          <label className="block text-sm">
            <span className="mb-1 block font-medium">
              Name <span className="font-normal text-muted">(optional)</span>
            </span>
            <input
              type="text"
              name="displayName"
              autoComplete="off"
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
              className={inputClass}
              maxLength={100}
            />
            {fields.displayName && <span className="mt-1 block text-xs text-danger">Name {fields.displayName}.</span>}
          </label>
          <fieldset className="text-sm">
            <legend className="mb-1 font-medium">Role</legend>
            <div className="space-y-1.5">
              {ROLES.map((r) => (
                <label key={r} className="flex items-start gap-2">
                  <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} className="mt-1" />
                  <span>
                    <span className="font-medium">{roleLabel(r)}</span> <span className="text-muted">— {ROLE_HINT[r]}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          <ModalActions>
            <button type="button" onClick={onClose} className={buttonClass.secondary}>
              Cancel
            </button>
            <button type="submit" disabled={invite.isPending} className={buttonClass.primary}>
              {invite.isPending ? 'Inviting…' : 'Invite'}
            </button>
          </ModalActions>
        </form>
      )}
    </Modal>
  );
}
