import { InvalidOptionError } from '@score/core';
import { STAGE_DEFINITIONS } from './stage-definitions';
import { STAGE_NAMES, type Stage, type StageImplementation, type StageName } from './stage';

/** Holds the implementation plugged in for each of the seven stages. */
export interface StageRegistry {
  /** Plugs in (or replaces) the implementation of a stage. */
  register(name: StageName, implementation: StageImplementation): void;
  /** Whether a stage has an implementation. */
  has(name: StageName): boolean;
  /** The seven stages in order, with their dependencies, inputs and implementations (when registered). */
  stages(): Stage[];
}

/** A registry of the seven SCoRe stages, with `initial` implementations plugged in. */
export function createStageRegistry(initial: Partial<Record<StageName, StageImplementation>> = {}): StageRegistry {
  const implementations = new Map<StageName, StageImplementation>();
  const registry: StageRegistry = {
    register(name, implementation) {
      if (!(STAGE_NAMES as readonly string[]).includes(name)) {
        throw new InvalidOptionError('stage', `"${String(name)}" is not a stage; the stages are ${STAGE_NAMES.join(', ')}.`, name);
      }
      if (typeof implementation !== 'function') throw new InvalidOptionError('implementation', `the implementation of stage "${name}" must be a function.`);
      implementations.set(name, implementation);
    },
    has: (name) => implementations.has(name),
    stages: () =>
      STAGE_NAMES.map((name) => {
        const run = implementations.get(name);
        return { name, ...STAGE_DEFINITIONS[name], ...(run ? { run } : {}) };
      }),
  };
  for (const [name, implementation] of Object.entries(initial)) registry.register(name as StageName, implementation);
  return registry;
}
