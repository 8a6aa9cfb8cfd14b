import { InvalidOptionError } from '@score/core';
import { describe, expect, it } from 'vitest';
import { createPromptTemplate, templatePlaceholders } from './prompt-template';

describe('templatePlaceholders', () => {
  it('lists each placeholder once, in order of first appearance', () => {
    expect(templatePlaceholders('{{B}} and {{ A }} then {{B}}')).toEqual(['B', 'A']);
    expect(templatePlaceholders('no placeholders')).toEqual([]);
  });

  it('rejects malformed placeholders and unbalanced braces', () => {
    expect(() => templatePlaceholders('Hi {{1x}}')).toThrow(
      'Invalid "template": the placeholder "{{1x}}" at offset 3 is malformed; write {{Name}} with a name of letters, digits and underscores starting with a letter.',
    );
    expect(() => templatePlaceholders('Hi {{Name} there')).toThrow('Invalid "template": unbalanced braces "{{" at offset 3; placeholders are written {{Name}}.');
  });
});

describe('createPromptTemplate', () => {
  const template = createPromptTemplate('Dear {{Name}}, you {{Verb}} {{Count}} items.{{Signature}}', {
    required: ['Name', 'Verb', 'Count'],
    optional: ['Signature', 'Unused'],
  });

  it('fills required and optional placeholders, values verbatim', () => {
    expect(template.fill({ Name: 'Ann', Verb: 'rated', Count: '3' })).toBe('Dear Ann, you rated 3 items.');
    expect(template.fill({ Name: '{{Verb}}', Verb: 'rated', Count: '3', Signature: ' -- Bob', Unused: 'x' })).toBe(
      'Dear {{Verb}}, you rated 3 items. -- Bob',
    );
    expect(template.placeholders).toEqual(['Name', 'Verb', 'Count', 'Signature']);
  });

  it('rejects a missing required value and an unknown key', () => {
    expect(() => template.fill({ Name: 'Ann', Verb: 'rated' })).toThrow('Invalid "template.values.Count": is required by the template but was not given.');
    const unknown = (() => {
      try {
        template.fill({ Name: 'Ann', Verb: 'rated', Count: '3', Colour: 'red' });
      } catch (error) {
        return error as InvalidOptionError;
      }
    })();
    expect(unknown).toBeInstanceOf(InvalidOptionError);
    expect(unknown?.field).toBe('template.values.Colour');
    expect(unknown?.message).toBe(
      'Invalid "template.values.Colour": is not a placeholder of this template; valid placeholders are {{Name}}, {{Verb}}, {{Count}}, {{Signature}}, {{Unused}}.',
    );
    expect(() => template.fill({ Name: 'Ann', Verb: 'rated', Count: 3 as never })).toThrow('Invalid "template.values.Count": must be a string, got 3.');
  });

  it('rejects, when built, an unknown placeholder or a missing required one', () => {
    expect(() => createPromptTemplate('Hi {{Name}} {{Nmae}}', { required: ['Name'], name: 'greeting' })).toThrow(
      'Invalid "greeting": the placeholder {{Nmae}} is not allowed here; valid placeholders are {{Name}}.',
    );
    expect(() => createPromptTemplate('Hi there', { required: ['Name', 'Day'] })).toThrow(
      'Invalid "template": the text lacks the required placeholders {{Name}}, {{Day}}.',
    );
    expect(() => createPromptTemplate('{{A}}', { required: ['A'], optional: ['A'] })).toThrow(
      'Invalid "template": the placeholder {{A}} is listed as both required and optional; list it once.',
    );
  });
});
