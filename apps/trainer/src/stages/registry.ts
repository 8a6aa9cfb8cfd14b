import { runPrepareStage } from '../pipeline/prepare-stage';
import { createStageRegistry } from '../pipeline/stage-registry';
import { assessStage } from './assess';
import { carStage } from './car';
import { crmStage } from './crm';
import { sareStage } from './sare';

/** The trainer's stage implementations (rec and eval come with the pipeline issue). */
export const trainerStageRegistry = createStageRegistry({
  prepare: runPrepareStage,
  crm: crmStage,
  car: carStage,
  assess: assessStage,
  sare: sareStage,
});
