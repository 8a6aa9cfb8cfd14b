import fs from 'node:fs';
import path from 'node:path';
import type { Stage, StageContext } from '../stage';

/** Hooks a test can put inside a test stage, after it wrote part of its output. */
export type TestStageHook = (context: StageContext) => Promise<void> | void;

/** Options of {@link createTestStages}. */
export interface TestStageOptions {
  /** Counts the invocations of each stage. */
  readonly calls: Map<string, number>;
  /** Runs inside a stage after its first file is half written. */
  readonly midWrite?: Partial<Record<'prepare' | 'crm' | 'car', TestStageHook>>;
}

/**
 * Three small real stages named like the first SCoRe stages: `prepare` writes data.txt from
 * `data.source`, `crm` reads it and writes model/weights.txt from `crm.epochs` (but not from
 * `crm.patience`, so a patience change reruns crm with the same output), and `car` reads the
 * weights and writes index.txt.
 */
export function createTestStages(options: TestStageOptions): Stage[] {
  const count = (name: string) => options.calls.set(name, (options.calls.get(name) ?? 0) + 1);
  const midWrite = async (name: 'prepare' | 'crm' | 'car', file: string, context: StageContext) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'partial');
    await options.midWrite?.[name]?.(context);
  };
  return [
    {
      name: 'prepare',
      dependsOn: [],
      inputs: (config) => ({ config: config.data }),
      run: async (context) => {
        count('prepare');
        const file = path.join(context.outputDir, 'data.txt');
        await midWrite('prepare', file, context);
        fs.writeFileSync(file, JSON.stringify(context.config.data.source));
        return { summary: { lines: 1 } };
      },
    },
    {
      name: 'crm',
      dependsOn: ['prepare'],
      inputs: (config) => ({ config: config.crm }),
      run: async (context) => {
        count('crm');
        const data = fs.readFileSync(context.artifact('prepare', 'data.txt'), 'utf8');
        const file = path.join(context.outputDir, 'model', 'weights.txt');
        await midWrite('crm', file, context);
        fs.writeFileSync(file, `epochs=${context.config.crm.epochs} data=${data.length}`);
      },
    },
    {
      name: 'car',
      dependsOn: ['crm'],
      inputs: (config) => ({ config: config.car }),
      run: async (context) => {
        count('car');
        const weights = fs.readFileSync(context.artifact('crm', 'model/weights.txt'), 'utf8');
        const file = path.join(context.outputDir, 'index.txt');
        await midWrite('car', file, context);
        fs.writeFileSync(file, `index of ${weights} k=${context.config.car.retrieved}`);
      },
    },
  ];
}
