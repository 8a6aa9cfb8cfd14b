import type { Dataset, Item, ItemId, UserId } from '@score/core';
import { UnknownRequestIdError } from './errors';
import type { RankRequest, ScoreRequest } from './schemas';

/** The user side of a request: who, and their history (ids and items, oldest first). */
export interface RequestUser {
  readonly userId?: UserId;
  readonly history: readonly ItemId[];
  readonly historyItems: readonly Item[];
}

/** A scoring request resolved against the run's dataset. */
export interface Target extends RequestUser {
  readonly item: Item;
  /** K_s of this request. */
  readonly ks: number;
}

/** Resolves request ids against the run's dataset, naming the request field of an unknown id. */
export interface RequestResolver {
  /** Whether the dataset knows the user. */
  hasUser(id: UserId): boolean;
  /** The user and history of a request (`prefix` is the request's path, e.g. "requests[3]"). */
  user(request: { readonly userId?: UserId; readonly history?: readonly ItemId[] }, prefix: string): RequestUser;
  /** The user, history and target item of a score request. */
  target(request: ScoreRequest, prefix: string, defaultKs: number): Target;
  /** The candidate items of a rank request: `itemIds`, then inline `items`. */
  candidates(request: RankRequest): Item[];
}

/**
 * The request resolver of a scoring service serving `dataset` at time `asOf`: a known user's
 * history is their positives strictly before `asOf` (all of them at the service's default asOf,
 * one second after the last row), as a dataset row's history is cut; a request's own `history` is
 * taken as given.
 * @throws UnknownRequestIdError (from the methods) naming the field of an unknown user or item id.
 */
export function createRequestResolver(dataset: Dataset, asOf: number): RequestResolver {
  const knownUsers = new Set(dataset.users);
  const positivesBefore = (userId: UserId): readonly ItemId[] => {
    const times = dataset.positiveTimes(userId);
    let count = 0;
    while (count < times.length && times[count] < asOf) count += 1;
    const positives = dataset.positives(userId);
    return count === positives.length ? positives : positives.slice(0, count);
  };
  const knownItem = (itemId: ItemId, field: string): Item => {
    const item = dataset.items.get(itemId);
    if (!item) throw new UnknownRequestIdError('item', itemId, field);
    return item;
  };
  const user: RequestResolver['user'] = (request, prefix) => {
    const field = (name: string) => (prefix ? `${prefix}.${name}` : name);
    let history: readonly ItemId[];
    if (request.userId !== undefined) {
      if (!knownUsers.has(request.userId)) throw new UnknownRequestIdError('user', request.userId, field('userId'));
      history = positivesBefore(request.userId);
    } else {
      history = request.history ?? [];
    }
    const historyItems = history.map((itemId, index) => knownItem(itemId, field(`history[${index}]`)));
    return { userId: request.userId, history, historyItems };
  };
  return {
    hasUser: (id) => knownUsers.has(id),
    user,
    target(request, prefix, defaultKs) {
      const { history, historyItems } = user(request, prefix);
      let item: Item;
      if (request.itemId !== undefined) {
        item = knownItem(request.itemId, prefix ? `${prefix}.itemId` : 'itemId');
      } else {
        const inline = request.item!;
        item = { id: inline.id ?? 'inline', title: inline.title, attributes: inline.attributes ?? {} };
      }
      return { userId: request.userId, history, historyItems, item, ks: request.ks ?? defaultKs };
    },
    candidates: (request) => [
      ...(request.itemIds ?? []).map((itemId, index) => knownItem(itemId, `itemIds[${index}]`)),
      ...(request.items ?? []).map((inline, index) => ({ id: inline.id ?? `inline-${index}`, title: inline.title, attributes: inline.attributes ?? {} })),
    ],
  };
}
