import type { AlertRule } from '../../../contracts/index.js';
import { FormAlert } from '../../components/FormAlert.js';
import { buttonClass, Modal, ModalActions } from '../../components/Modal.js';
import { isServerWide } from './alert-rule-text.js';
import { ConditionFields, FieldError, inputClass, NumberField, RuleKindField, RuleProjectField, RuleTellField } from './RuleFields.js';
import { useRuleForm } from './use-rule-form.js';

/** Create or change a rule: its kind and thresholds, scope, timing and who hears of it. */
export function RuleDialog({ rule, onClose }: { rule: AlertRule | null; onClose: () => void }) {
  const form = useRuleForm(rule, onClose);
  const {
    name,
    setName,
    kind,
    params,
    setParam,
    forMinutes,
    setForMinutes,
    repeatMinutes,
    setRepeatMinutes,
    enabled,
    setEnabled,
    save,
    errors,
    general,
    submit,
  } = form;

  return (
    <Modal title={rule ? `Edit “${rule.name}”` : 'Add an alert rule'} onClose={onClose} testId="rule-dialog">
      <form onSubmit={submit} className="space-y-4" noValidate>
        {general && <FormAlert>{general}</FormAlert>}
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
            aria-describedby="rule-name-error"
            data-autofocus
          />
          <FieldError id="rule-name-error" message={errors.name && `Name ${errors.name}.`} />
        </label>
        <RuleKindField form={form} />
        <ConditionFields kind={kind} params={params} set={setParam} errors={errors} />
        {!isServerWide(kind) && <RuleProjectField form={form} />}
        <div className="grid gap-3 sm:grid-cols-2">
          <NumberField
            name="forMinutes"
            label="Fire after (minutes)"
            hint="0: at the next check, as soon as it holds."
            value={forMinutes}
            onChange={setForMinutes}
            error={errors.forMinutes}
            min={0}
          />
          <NumberField
            name="repeatMinutes"
            label="Repeat every (minutes)"
            hint="0: once, until it resolves."
            value={repeatMinutes}
            onChange={setRepeatMinutes}
            error={errors.repeatMinutes}
            min={0}
          />
        </div>
        <RuleTellField form={form} />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          Rule on
        </label>
        <ModalActions>
          <button type="button" onClick={onClose} className={buttonClass.secondary}>
            Cancel
          </button>
          <button type="submit" disabled={save.isPending} className={buttonClass.primary}>
            {save.isPending ? 'Saving…' : rule ? 'Save rule' : 'Add rule'}
          </button>
        </ModalActions>
      </form>
    </Modal>
  );
}
