import { modelName } from '../../contracts/index.js';

/** A model as people say it ("Opus 4.1"), its full id on hover; an id it cannot read is shown as it is. */
export function ModelName({ id }: { id: string }) {
  return (
    <span title={id} data-model={id}>
      {modelName(id)}
    </span>
  );
}
