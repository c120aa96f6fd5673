import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { alertChannelCreatedSchema, alertChannelSchema, type AlertChannel, type AlertChannelType } from '../../../contracts/index.js';
import { api, ApiError } from '../../api/http.js';
import { FormAlert } from '../../components/FormAlert.js';
import { buttonClass, Modal, ModalActions } from '../../components/Modal.js';
import { SecretReveal } from '../../components/SecretReveal.js';
import { toast } from '../../components/toasts.js';
import { fieldErrors } from './admin-api.js';
import { alertKeys } from './alerts-api.js';

const inputClass = 'w-full rounded border border-border bg-bg px-3 py-2 text-sm';

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <span id={id} className="mt-1 block text-xs text-danger">
      {message}
    </span>
  ) : null;
}

/** How a receiver checks a webhook is ours (README "Alerts" says the same). */
export function SignatureNote() {
  return (
    <p className="text-xs text-muted">
      Each webhook is signed: <span className="font-mono wrap-anywhere">X-BMAD-Ops-Signature: sha256=HMAC-SHA256(secret, timestamp + &quot;.&quot; + body)</span>, with the timestamp
      in <span className="font-mono">X-BMAD-Ops-Timestamp</span> (Unix seconds).
    </p>
  );
}

/**
 * Add a channel, or change one. The URL and signing secret are written, never shown again: to change one, type the
 * new value; left empty, it stays as it is.
 */
export function ChannelDialog({ channel, onClose }: { channel: AlertChannel | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [type, setType] = useState<AlertChannelType>(channel?.type ?? 'webhook');
  const [name, setName] = useState(channel?.name ?? '');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);

  const save = useMutation({
    mutationFn: async () => {
      if (channel) {
        const patch = { name, enabled, ...(url.trim() ? { url } : {}), ...(secret ? { secret } : {}) };
        return { channel: await api.patch(`/alerts/channels/${encodeURIComponent(channel.id)}`, patch, alertChannelSchema), secret: null };
      }
      const body = type === 'webhook' ? { type, name, url, enabled, ...(secret ? { secret } : {}) } : { type, name, url, enabled };
      return api.post('/alerts/channels', body, alertChannelCreatedSchema);
    },
    onSuccess: (saved) => {
      if (!saved.secret) {
        toast(channel ? `Channel “${saved.channel.name}” saved.` : `Channel “${saved.channel.name}” added.`);
        onClose();
      }
    },
    onSettled: () => qc.invalidateQueries({ queryKey: alertKeys.all }),
  });
  const errors = fieldErrors(save.error);
  const general = save.error && Object.keys(errors).length === 0 ? (save.error instanceof ApiError ? save.error.message : 'the channel could not be saved') : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  if (save.data?.secret) {
    return (
      <Modal title={`Channel “${save.data.channel.name}” added`} onClose={onClose} testId="channel-secret-dialog">
        <SecretReveal label="Signing secret" value={save.data.secret} testId="channel-secret-value" />
        <p className="rounded border border-warn bg-warn-bg px-3 py-2 text-sm text-warn">It is shown only now. Give it to the receiver, which checks each delivery’s signature with it.</p>
        <SignatureNote />
        <ModalActions>
          <button type="button" onClick={onClose} className={buttonClass.primary}>
            Done
          </button>
        </ModalActions>
      </Modal>
    );
  }

  const editing = channel !== null;
  return (
    <Modal title={editing ? `Edit “${channel.name}”` : 'Add a channel'} onClose={onClose} testId="channel-dialog">
      <form onSubmit={submit} className="space-y-4" noValidate>
        {general && <FormAlert>{general}</FormAlert>}
        {!editing && (
          <fieldset className="text-sm">
            <legend className="mb-1 font-medium">Kind</legend>
            <div className="space-y-1.5">
              <label className="flex items-start gap-2">
                <input type="radio" name="type" checked={type === 'webhook'} onChange={() => setType('webhook')} className="mt-1" />
                <span>
                  Webhook <span className="text-muted">— JSON, signed with HMAC-SHA256</span>
                </span>
              </label>
              <label className="flex items-start gap-2">
                <input type="radio" name="type" checked={type === 'slack'} onChange={() => setType('slack')} className="mt-1" />
                <span>
                  Slack <span className="text-muted">— an incoming webhook (Mattermost and Rocket.Chat take the same)</span>
                </span>
              </label>
            </div>
          </fieldset>
        )}
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Name</span>
          <input type="text" name="name" required maxLength={100} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} className={inputClass} aria-invalid={errors.name ? true : undefined} aria-describedby="channel-name-hint channel-name-error" data-autofocus />
          <span id="channel-name-hint" className="mt-1 block text-xs text-muted">
            How rules and people will know it, e.g. “#ops on Slack” or “PagerDuty bridge”.
          </span>
          <FieldError id="channel-name-error" message={errors.name && `Name ${errors.name}.`} />
        </label>
        <label className="block text-sm">
          <span className="mb-1 block font-medium">{type === 'slack' ? 'Slack webhook URL' : 'URL'}</span>
          <input
            type="url"
            name="url"
            autoComplete="off"
            spellCheck={false}
            value={url}
            placeholder={editing ? `set (${channel.target}); type a new one to replace it` : type === 'slack' ? 'https://hooks.slack.com/services/…' : 'https://…'}
            onChange={(e) => setUrl(e.target.value)}
            className={`${inputClass} font-mono`}
            aria-invalid={errors.url ? true : undefined}
            aria-describedby="channel-url-hint channel-url-error"
          />
          <span id="channel-url-hint" className="mt-1 block text-xs text-muted">
            Kept as a secret: after saving, only its host is shown. Redirects are not followed.
          </span>
          <FieldError id="channel-url-error" message={errors.url && `URL ${errors.url}.`} />
        </label>
        {type === 'webhook' && (
          <label className="block text-sm">
            <span className="mb-1 block font-medium">Signing secret</span>
            <input
              type="password"
              name="secret"
              autoComplete="new-password"
              value={secret}
              placeholder={editing ? (channel.secretSet ? 'set; type a new one to replace it' : 'not set') : 'leave empty to have one made'}
              onChange={(e) => setSecret(e.target.value)}
              className={`${inputClass} font-mono`}
              aria-invalid={errors.secret ? true : undefined}
              aria-describedby="channel-secret-error"
            />
            <FieldError id="channel-secret-error" message={errors.secret && `Secret ${errors.secret}.`} />
          </label>
        )}
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
