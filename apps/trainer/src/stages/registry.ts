import { runPrepareStage } from './prepare';
import { createStageRegistry } from '../pipeline/stage-registry';
import { assessStage } from './assess';
import { carStage } from './car';
import { crmStage } from './crm';
import { evalStage } from './eval';
import { recStage } from './rec';
import { sareStage } from './sare';

/** The trainer's implementations of the seven SCoRe stages. */
export const trainerStageRegistry = createStageRegistry({
  prepare: runPrepareStage,
  crm: crmStage,
  car: carStage,
  assess: assessStage,
  sare: sareStage,
  rec: recStage,
  eval: evalStage,
});
