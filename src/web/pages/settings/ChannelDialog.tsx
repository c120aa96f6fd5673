import type { AlertChannel } from '../../../contracts/index.js';
import { FormAlert } from '../../components/FormAlert.js';
import { buttonClass, Modal, ModalActions } from '../../components/Modal.js';
import { SecretReveal } from '../../components/SecretReveal.js';
import { ChannelKindField, ChannelSecretField, ChannelUrlField, FieldError, inputClass, useChannelForm } from './ChannelFields.js';

/** How a receiver checks a webhook is ours (README "Alerts" says the same). */
export function SignatureNote() {
  return (
    <p className="text-xs text-muted">
      Each webhook is signed:{' '}
      <span className="font-mono wrap-anywhere">X-BMAD-Ops-Signature: sha256=HMAC-SHA256(secret, timestamp + &quot;.&quot; + body)</span>, with the timestamp in{' '}
      <span className="font-mono">X-BMAD-Ops-Timestamp</span> (Unix seconds).
    </p>
  );
}

/** The signing secret the server made, shown this once. */
function ChannelSecretShown({ name, secret, onClose }: { name: string; secret: string; onClose: () => void }) {
  return (
    <Modal title={`Channel “${name}” added`} onClose={onClose} testId="channel-secret-dialog">
      <SecretReveal label="Signing secret" value={secret} testId="channel-secret-value" />
      <p className="rounded border border-warn bg-warn-bg px-3 py-2 text-sm text-warn">
        It is shown only now. Give it to the receiver, which checks each delivery’s signature with it.
      </p>
      <SignatureNote />
      <ModalActions>
        <button type="button" onClick={onClose} className={buttonClass.primary}>
          Done
        </button>
      </ModalActions>
    </Modal>
  );
}

/**
 * Add a channel, or change one. The URL and signing secret are written, never shown again: to change one, type the
 * new value; left empty, it stays as it is.
 */
export function ChannelDialog({ channel, onClose }: { channel: AlertChannel | null; onClose: () => void }) {
  const form = useChannelForm(channel, onClose);
  const { type, name, setName, enabled, setEnabled, save, errors, general, submit } = form;

  if (save.data?.secret) {
    return <ChannelSecretShown name={save.data.channel.name} secret={save.data.secret} onClose={onClose} />;
  }

  const editing = channel !== null;
  return (
    <Modal title={editing ? `Edit “${channel.name}”` : 'Add a channel'} onClose={onClose} testId="channel-dialog">
      <form onSubmit={submit} className="space-y-4" noValidate>
        {general && <FormAlert>{general}</FormAlert>}
        {!editing && <ChannelKindField form={form} />}
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Name</span>
          <input
            type="text"
            name="name"
            required
            maxLength={100}
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
            className={inputClass}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby="channel-name-hint channel-name-error"
            data-autofocus
          />
          <span id="channel-name-hint" className="mt-1 block text-xs text-muted">
            How rules and people will know it, e.g. “#ops on Slack” or “PagerDuty bridge”.
          </span>
          <FieldError id="channel-name-error" message={errors.name && `Name ${errors.name}.`} />
        </label>
        <ChannelUrlField form={form} channel={channel} />
        {type === 'webhook' && <ChannelSecretField form={form} channel={channel} />}
        {type === 'webhook' && <SignatureNote />}
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          Channel on
        </label>
        <ModalActions>
          <button type="button" onClick={onClose} className={buttonClass.secondary}>
            Cancel
          </button>
          <button type="submit" disabled={save.isPending} className={buttonClass.primary}>
            {save.isPending ? 'Saving…' : editing ? 'Save channel' : 'Add channel'}
          </button>
        </ModalActions>
      </form>
    </Modal>
  );
}
