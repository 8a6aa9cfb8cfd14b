import { runPrepareStage } from './prepare-stage';
import type { StageImplementation, StageName } from './stage';
import { createStageRegistry } from './stage-registry';

/** The registry `score-train run` uses: `prepare` is built in; the other stages are plugged in with {@link registerStage}. */
export const defaultStageRegistry = createStageRegistry({ prepare: runPrepareStage });

/** Plugs the implementation of a stage into {@link defaultStageRegistry}, e.g. `registerStage('crm', runCrmStage)`. */
export function registerStage(name: StageName, implementation: StageImplementation): void {
  defaultStageRegistry.register(name, implementation);
}
