import { describe, expect, it } from 'vitest';
import { DOMAIN_PRESETS } from './domain-presets';
import { basicPrompt, ciPrompt, createPromptSet, formatSimilarBehaviourLists, selfAssessPrompt } from './prompt-set';
import { BASIC_TEMPLATE, CI_TEMPLATE, SELF_ASSESS_TEMPLATE } from './templates';
import { fargo, heat, seven, toyStory } from './test-fixtures/items';

// The templates of method.md, word for word (the text between the quotes there).
const METHOD_BASIC =
  "The user has highly rated the following movies: <HistoryList>. Based on this information, predict whether the user would enjoy the movie titled <TargetItem>. Respond with either 'Yes' or 'No'.";
const METHOD_CI =
  "The user has highly rated the following movies: <HistoryList>. Other users with similar preferences have given high ratings to the movies: <SimilarBehaviorList_1>, ... <SimilarBehaviorList_Ks>. Based on this information, predict whether the user would enjoy the movie titled <TargetItem>. Respond with either 'Yes' or 'No'.";
const METHOD_SELF_ASSESS =
  'The user has watched the following movies: <HistoryList>. However, based on this list alone, it is not possible to confidently predict whether they would enjoy the movie <TargetItem>. What other genres or characteristics related to their preferences, apart from the given history, could help in making a more informed decision?';

describe('the paper templates (movies preset)', () => {
  const placeholders = { domain: 'movies', history: '<HistoryList>', target: '<TargetItem>' } as const;

  it('equal method.md word for word', () => {
    expect(basicPrompt(placeholders)).toBe(METHOD_BASIC);
    expect(selfAssessPrompt(placeholders)).toBe(METHOD_SELF_ASSESS);
    const { templates } = createPromptSet();
    const movies = DOMAIN_PRESETS.movies;
    expect(
      templates.ci.fill({
        HistoryList: '<HistoryList>',
        TargetItem: '<TargetItem>',
        SimilarBehaviourLists: '<SimilarBehaviorList_1>, ... <SimilarBehaviorList_Ks>',
        ItemNoun: movies.itemNoun,
        ItemNounPlural: movies.itemNounPlural,
        ConsumedVerb: movies.consumedVerb,
      }),
    ).toBe(METHOD_CI);
  });

  it('fill real items with quoted titles', () => {
    expect(basicPrompt({ domain: 'movies', history: [toyStory, heat], target: fargo })).toBe(
      'The user has highly rated the following movies: "Toy Story (1995)", "Heat (1995)". Based on this information, predict whether the user would enjoy the movie titled "Fargo (1996)". Respond with either \'Yes\' or \'No\'.',
    );
    expect(
      ciPrompt({
        domain: 'movies',
        history: [toyStory],
        target: fargo,
        similarBehaviours: ['"Heat (1995)", "Seven (Se7en) (1995)"', [heat, toyStory]],
      }),
    ).toBe(
      'The user has highly rated the following movies: "Toy Story (1995)". Other users with similar preferences have given high ratings to the movies: ["Heat (1995)", "Seven (Se7en) (1995)"], ["Heat (1995)", "Toy Story (1995)"]. Based on this information, predict whether the user would enjoy the movie titled "Fargo (1996)". Respond with either \'Yes\' or \'No\'.',
    );
    expect(
      selfAssessPrompt({ domain: 'movies', history: [heat, seven, toyStory], target: fargo, description: { maxItems: 2, attributes: ['genres'] } }),
    ).toBe(
      'The user has watched the following movies: "Seven (Se7en) (1995) (Crime, Thriller)", "Toy Story (1995) (Animation, Children\'s, Comedy)". However, based on this list alone, it is not possible to confidently predict whether they would enjoy the movie "Fargo (1996) (Crime, Drama, Thriller)". What other genres or characteristics related to their preferences, apart from the given history, could help in making a more informed decision?',
    );
  });
});

describe('domain presets', () => {
  const game = { id: 'g1', title: 'Portal 2', attributes: {} };
  const book = { id: 'b1', title: 'Dune', attributes: {} };

  it('swap the nouns for games and books', () => {
    expect(basicPrompt({ domain: 'games', history: [game], target: game })).toBe(
      'The user has highly rated the following games: "Portal 2". Based on this information, predict whether the user would enjoy the game titled "Portal 2". Respond with either \'Yes\' or \'No\'.',
    );
    expect(selfAssessPrompt({ domain: 'books', history: [book], target: book })).toBe(
      'The user has read the following books: "Dune". However, based on this list alone, it is not possible to confidently predict whether they would enjoy the book "Dune". What other genres or characteristics related to their preferences, apart from the given history, could help in making a more informed decision?',
    );
    expect(ciPrompt({ domain: 'games', history: '"A"', target: '"B"', similarBehaviours: ['"C"'] })).toBe(
      'The user has highly rated the following games: "A". Other users with similar preferences have given high ratings to the games: ["C"]. Based on this information, predict whether the user would enjoy the game titled "B". Respond with either \'Yes\' or \'No\'.',
    );
  });

  it('accept a custom preset and reject an unknown domain name', () => {
    const music = { name: 'music', itemNoun: 'album', itemNounPlural: 'albums', consumedVerb: 'listened to' };
    expect(selfAssessPrompt({ domain: music, history: '"X"', target: '"Y"' })).toMatch(/^The user has listened to the following albums: "X"\. .* enjoy the album "Y"\./);
    expect(() => basicPrompt({ domain: 'music', history: [], target: '"Y"' })).toThrow(
      'Invalid "domain": "music" has no preset; use "movies", "games" or "books", or pass a preset object { name, itemNoun, itemNounPlural, consumedVerb }.',
    );
    expect(() => basicPrompt({ domain: 'movies', history: [], target: 7 as never })).toThrow(
      'Invalid "target": must be an item ({ id, title, attributes }), got 7.',
    );
    expect(() => basicPrompt({ domain: 'movies', history: 5 as never, target: '"Y"' })).toThrow(
      'Invalid "history": must be a list of items (oldest first) or a text, got 5.',
    );
    expect(() => basicPrompt({ domain: { ...music, itemNoun: '' }, history: [], target: '"Y"' })).toThrow(
      'Invalid "domain.itemNoun": must be a non-empty string, got "".',
    );
  });
});

describe('createPromptSet', () => {
  it('uses custom templates and keeps the paper templates for the others', () => {
    const set = createPromptSet({ basic: 'History: {{HistoryList}}\nCandidate {{ItemNoun}}: {{TargetItem}}\nAnswer Yes or No.' });
    expect(set.basicPrompt({ domain: 'books', history: [{ id: '1', title: 'Emma', attributes: {} }], target: '"Dune"' })).toBe(
      'History: "Emma"\nCandidate book: "Dune"\nAnswer Yes or No.',
    );
    expect(set.templates.ci.text).toBe(CI_TEMPLATE);
    expect(set.templates.selfAssess.text).toBe(SELF_ASSESS_TEMPLATE);
    expect(createPromptSet().templates.basic.text).toBe(BASIC_TEMPLATE);
  });

  it('rejects unknown and missing placeholders, naming the template', () => {
    expect(() => createPromptSet({ basic: '{{HistoryList}} {{TargetItem}} {{UserName}}' })).toThrow(
      'Invalid "templates.basic": the placeholder {{UserName}} is not allowed here; valid placeholders are {{HistoryList}}, {{TargetItem}}, {{ItemNoun}}, {{ItemNounPlural}}, {{ConsumedVerb}}.',
    );
    expect(() => createPromptSet({ ci: '{{HistoryList}} {{TargetItem}}' })).toThrow(
      'Invalid "templates.ci": the text lacks the required placeholder {{SimilarBehaviourLists}}.',
    );
    expect(() => createPromptSet({ selfAssess: '{{HistoryList}} {{SimilarBehaviourLists}} {{TargetItem}}' })).toThrow(
      'Invalid "templates.selfAssess": the placeholder {{SimilarBehaviourLists}} is not allowed here',
    );
    // The former American spelling of the P^s placeholder is an unknown placeholder now.
    expect(() => createPromptSet({ ci: '{{HistoryList}} {{SimilarBehaviorLists}} {{TargetItem}}' })).toThrow(
      'Invalid "templates.ci": the placeholder {{SimilarBehaviorLists}} is not allowed here',
    );
  });
});

describe('formatSimilarBehaviourLists', () => {
  it('brackets each list, joins with ", " and applies the description options to item lists', () => {
    expect(formatSimilarBehaviourLists([[heat, fargo, seven]], { maxItems: 2 })).toBe('["Fargo (1996)", "Seven (Se7en) (1995)"]');
    expect(() => formatSimilarBehaviourLists([])).toThrow(
      'Invalid "similarBehaviours": must hold at least one similar user\'s behaviour (K_s >= 1), got an array of 0; use the basic prompt when there is none.',
    );
    expect(() => formatSimilarBehaviourLists([42 as never])).toThrow('Invalid "similarBehaviours[0]": must be a text or a list of items, got 42.');
  });
});
