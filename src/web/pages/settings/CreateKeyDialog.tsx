import { buttonClass, Modal, ModalActions } from '../../components/Modal.js';
import { SecretReveal } from '../../components/SecretReveal.js';
import { FormAlert } from '../../components/FormAlert.js';
import { KeyExpiryField, KeyNameField, KeyProjectField, KeyScopesField, KeySourcesField, useCreateKeyForm, type CreateKeyForm } from './CreateKeyFields.js';

type CreatedKey = NonNullable<CreateKeyForm['create']['data']>['apiKey'];

/** The key, shown this once, and how to send it. */
function KeyCreated({ apiKey, secret, onClose }: { apiKey: CreatedKey; secret: string; onClose: () => void }) {
  return (
    <Modal title={`Key “${apiKey.name}” created`} onClose={onClose} testId="key-created-dialog">
      <SecretReveal label="API key" value={secret} testId="api-key-value" />
      <p className="rounded border border-warn bg-warn-bg px-3 py-2 text-sm text-warn">
        It is shown only now: the server keeps only a hash. Store it where the sender reads it.
      </p>
      <p className="text-sm text-muted">
        Send it as <span className="font-mono wrap-anywhere">Authorization: Bearer bmo_…</span>
        {apiKey.scopes.includes('ingest') && (
          <>
            ; it writes {apiKey.sources === 'any' ? 'any source but the server’s own' : apiKey.sources.map((s) => `“${s}”`).join(', ')}
            {apiKey.projectName ? ` for ${apiKey.projectName} only` : ''}
          </>
        )}
        .
      </p>
      <ModalActions>
        <button type="button" onClick={onClose} className={buttonClass.primary}>
          Done
        </button>
      </ModalActions>
    </Modal>
  );
}

/** Create an API key with the CLI's rules; the key is shown once, then only its name and settings remain. */
export function CreateKeyDialog({ onClose }: { onClose: () => void }) {
  const form = useCreateKeyForm();
  const { ingest, reserved, create, submit, general } = form;

  if (create.data) {
    const { apiKey, key } = create.data;
    return <KeyCreated apiKey={apiKey} secret={key} onClose={onClose} />;
  }

  return (
    <Modal title="Create an API key" onClose={onClose} testId="create-key-dialog">
      <form onSubmit={submit} className="space-y-4" noValidate>
        {general && <FormAlert>{general}</FormAlert>}
        <KeyNameField form={form} />

        <KeyScopesField form={form} />

        {ingest && <KeySourcesField form={form} />}

        {ingest && <KeyProjectField form={form} />}

        <KeyExpiryField form={form} />

        <ModalActions>
          <button type="button" onClick={onClose} className={buttonClass.secondary}>
            Cancel
          </button>
          <button type="submit" disabled={create.isPending || reserved.length > 0} className={buttonClass.primary}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </ModalActions>
      </form>
    </Modal>
  );
}
