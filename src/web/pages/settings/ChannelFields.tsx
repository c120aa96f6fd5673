import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { API, type AlertChannel, type AlertChannelType } from '../../../contracts/index.js';
import { ApiError, call } from '../../api/http.js';
import { alertKeys } from '../../api/query-keys.js';
import { toast } from '../../components/toasts.js';
import { fieldErrors } from './admin-api.js';

export const inputClass = 'w-full rounded border border-border bg-bg px-3 py-2 text-sm';

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <span id={id} className="mt-1 block text-xs text-danger">
      {message}
    </span>
  ) : null;
}

/** The channel form's state and its save (a create, or an update that leaves an empty URL or secret as it is). */
export function useChannelForm(channel: AlertChannel | null, onClose: () => void) {
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
        return { channel: await call(API.alerts.updateChannel, { params: { id: channel.id }, body: patch }), secret: null };
      }
      const body = type === 'webhook' ? { type, name, url, enabled, ...(secret ? { secret } : {}) } : { type, name, url, enabled };
      return call(API.alerts.createChannel, { body });
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
  const general =
    save.error && Object.keys(errors).length === 0 ? (save.error instanceof ApiError ? save.error.message : 'the channel could not be saved') : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return { type, setType, name, setName, url, setUrl, secret, setSecret, enabled, setEnabled, save, errors, general, submit };
}

type ChannelForm = ReturnType<typeof useChannelForm>;

/** Webhook or Slack, chosen when the channel is added. */
export function ChannelKindField({ form }: { form: ChannelForm }) {
  const { type, setType } = form;
  return (
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
  );
}

/** The URL deliveries go to; kept as a secret, so an edit shows only its host. */
export function ChannelUrlField({ form, channel }: { form: ChannelForm; channel: AlertChannel | null }) {
  const { type, url, setUrl, errors } = form;
  const editing = channel !== null;
  return (
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
  );
}

/** A webhook's signing secret: typed, or made by the server when left empty. */
export function ChannelSecretField({ form, channel }: { form: ChannelForm; channel: AlertChannel | null }) {
  const { secret, setSecret, errors } = form;
  const editing = channel !== null;
  return (
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
  );
}
