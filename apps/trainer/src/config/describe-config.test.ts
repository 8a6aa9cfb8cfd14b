import { describe, expect, it } from 'vitest';
import { describeConfig, listConfigKeys } from './describe-config';

describe('describeConfig', () => {
  it('gives every key of the schema a description', () => {
    const keys = listConfigKeys();
    const undocumented = keys.filter((key) => key.description.trim().length < 10).map((key) => key.path);
    expect(undocumented).toEqual([]);
    expect(keys.length).toBeGreaterThan(80);
    expect(keys.filter((key) => key.section && !key.path.includes('.')).map((key) => key.path)).toEqual(['run', 'data', 'crm', 'car', 'assess', 'sare', 'rec', 'eval', 'encoders']);
  });

  it('lists types, defaults and alternatives', () => {
    const byPath = (path: string, variant?: string) => listConfigKeys().find((key) => key.path === path && key.variant === variant)!;
    expect(byPath('crm.hiddenSize')).toMatchObject({ type: 'integer', defaultValue: '64' });
    expect(byPath('crm.model')).toMatchObject({ type: '"sasrec" | "mf"', defaultValue: '"sasrec"' });
    expect(byPath('sare.tau')).toMatchObject({ type: 'number', defaultValue: '0.02' });
    expect(byPath('data.source.dir', 'kind = ml-1m')).toMatchObject({ type: 'string', defaultValue: 'required' });
    expect(byPath('data.source.users', 'kind = synthetic')).toMatchObject({ type: 'integer', defaultValue: '600' });
    expect(byPath('data.protocol.trainMonths', 'kind = months')).toMatchObject({ defaultValue: 'required' });
    expect(byPath('rec.model.lora.rank')).toMatchObject({ defaultValue: '8' });
    expect(byPath('rec.kept')).toMatchObject({ defaultValue: 'none' });
    expect(byPath('eval.keptSweep')).toMatchObject({ type: 'list of integer', defaultValue: '[1,2,3,4]' });
  });

  it('renders a Markdown table, one row per key', () => {
    const table = describeConfig();
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toBe('| Key | Type | Default | Description |');
    expect(lines.length).toBe(listConfigKeys().length + 2);
    expect(table).toContain('| `crm.hiddenSize` | integer | `64` | Width of item and hidden vectors');
    expect(table).toContain('| `data.source.dir` | string | required | *When kind = ml-1m.* Folder holding ratings.dat and movies.dat');
    expect(table).toContain('"sasrec" \\| "mf"');
  });
});
