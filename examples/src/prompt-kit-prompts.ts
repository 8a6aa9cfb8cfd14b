// Prompts with @score/prompt-kit: the basic prompt P^b (the user's history and the target item) and
// the prompt with similar users' behaviour P^s (method.md, the "Prompts" section), from items
// described by title and attributes; then a prompt set with a team's own wording.
import { basicPrompt, ciPrompt, createPromptSet, describeHistory, describeItem } from '@score/prompt-kit';

const toyStory = { id: '1', title: 'Toy Story (1995)', attributes: { genres: ['Animation', 'Comedy'] } };
const heat = { id: '6', title: 'Heat (1995)', attributes: { genres: ['Action', 'Crime'] } };
const fargo = { id: '608', title: 'Fargo (1996)', attributes: { genres: ['Crime', 'Drama'] } };
const casino = { id: '16', title: 'Casino (1995)', attributes: { genres: ['Crime', 'Drama'] } };

console.log(describeItem(toyStory, { attributes: ['genres'] })); // Toy Story (1995) (Animation, Comedy)
console.log(describeHistory([toyStory, heat, fargo], { maxItems: 2 })); // "Heat (1995)", "Fargo (1996)"

// P^b: what the user liked, and the item to predict.
const pb = basicPrompt({ domain: 'movies', history: [toyStory, heat], target: fargo });
console.log(pb); // The user has highly rated the following movies: "Toy Story (1995)", "Heat (1995)". Based on this information, predict whether the user would enjoy the movie titled "Fargo (1996)". Respond with either 'Yes' or 'No'.

// P^s: the same, plus the behaviour of similar users (one list per user, e.g. from CAR + SARE).
const ps = ciPrompt({ domain: 'movies', history: [toyStory, heat], target: fargo, similarBehaviours: [[heat, casino], [casino]] });
console.log(ps); // The user has highly rated the following movies: "Toy Story (1995)", "Heat (1995)". Other users with similar preferences have given high ratings to the movies: ["Heat (1995)", "Casino (1995)"], ["Casino (1995)"]. Based on this information, predict whether the user would enjoy the movie titled "Fargo (1996)". Respond with either 'Yes' or 'No'.

// Your own wording: placeholders such as {{HistoryList}} and {{TargetItem}} are filled the same way.
const short = createPromptSet({ basic: 'Liked {{ItemNounPlural}}: {{HistoryList}}. Would they like {{TargetItem}}? Yes or No.' });
console.log(short.basicPrompt({ domain: 'books', history: '"Emma"', target: '"Dune"' })); // Liked books: "Emma". Would they like "Dune"? Yes or No.
