import type { Item } from '@score/core';

/** A few ML-1M items, including a title with double quotes. */
export const toyStory: Item = { id: '1', title: 'Toy Story (1995)', attributes: { genres: ['Animation', "Children's", 'Comedy'], year: ['1995'] } };
export const heat: Item = { id: '6', title: 'Heat (1995)', attributes: { genres: ['Action', 'Crime', 'Thriller'] } };
export const cats: Item = { id: '3', title: '"Great Performances" Cats (1998)', attributes: { genres: ['Musical'] } };
export const fargo: Item = { id: '608', title: 'Fargo (1996)', attributes: { genres: ['Crime', 'Drama', 'Thriller'] } };
export const seven: Item = { id: '47', title: 'Seven (Se7en) (1995)', attributes: { genres: ['Crime', 'Thriller'] } };
