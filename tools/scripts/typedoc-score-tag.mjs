// A TypeDoc plugin (tools/scripts/docs-typedoc.json loads it): TSDoc reads "@score" followed by a
// space as a block tag, so a comment such as "Every error of a @score package is ..." lost the
// rest of its text on the API pages. This puts every such "@score" tag back into the text it
// came from (the summary, or the block tag before it), with its content, before the comments
// are resolved.
import { Converter } from 'typedoc';

const TAG = '@score';

/** Moves the `@score` block tags of a comment back into the text before them. */
function restore(comment) {
  if (!comment?.blockTags?.some((tag) => tag.tag === TAG)) return;
  const kept = [];
  for (const tag of comment.blockTags) {
    if (tag.tag !== TAG) {
      kept.push(tag);
      continue;
    }
    const target = kept.length > 0 ? kept[kept.length - 1].content : comment.summary;
    const last = target[target.length - 1];
    const before = last?.kind === 'text' && !/\s$/.test(last.text) ? ' ' : '';
    target.push({ kind: 'text', text: `${before}${TAG} ` }, ...tag.content);
  }
  comment.blockTags = kept;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(
    Converter.EVENT_RESOLVE_BEGIN,
    (context) => {
      for (const reflection of Object.values(context.project.reflections)) {
        restore(reflection.comment);
        for (const signature of reflection.signatures ?? []) restore(signature.comment);
        if (reflection.getSignature) restore(reflection.getSignature.comment);
        if (reflection.setSignature) restore(reflection.setSignature.comment);
      }
    },
    1000,
  );
}
