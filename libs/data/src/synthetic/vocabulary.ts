/** A genre of the synthetic catalogue and the words its titles are made of. */
export interface SyntheticGenre {
  readonly name: string;
  /** Words that open a title ("Star", "Haunted"). */
  readonly leads: readonly string[];
  /** Nouns that close a title ("Galaxy", "House"). */
  readonly nouns: readonly string[];
}

/**
 * Genres with title words that say what the genre is, so that the text of a title carries the
 * same signal as its `genres` attribute (sci-fi titles use "Star", "Galaxy", ...).
 */
export const SYNTHETIC_GENRES: readonly SyntheticGenre[] = Object.freeze([
  { name: 'Sci-Fi', leads: ['Star', 'Quantum', 'Cosmic', 'Orbital', 'Stellar', 'Android', 'Galactic', 'Robot'], nouns: ['Galaxy', 'Nebula', 'Frontier', 'Colony', 'Starship', 'Planet', 'Signal', 'Voyager'] },
  { name: 'Horror', leads: ['Haunted', 'Bloody', 'Cursed', 'Midnight', 'Silent', 'Wicked', 'Dead', 'Hollow'], nouns: ['House', 'Ghost', 'Graveyard', 'Nightmare', 'Curse', 'Demon', 'Scream', 'Crypt'] },
  { name: 'Romance', leads: ['Sweet', 'Endless', 'Summer', 'Tender', 'Secret', 'Paris', 'First', 'Lovesick'], nouns: ['Love', 'Heart', 'Kiss', 'Wedding', 'Valentine', 'Romance', 'Promise', 'Bride'] },
  { name: 'Comedy', leads: ['Crazy', 'Wacky', 'Dumb', 'Silly', 'Big', 'Totally', 'Awkward', 'Lucky'], nouns: ['Party', 'Roommates', 'Vacation', 'Prank', 'Weekend', 'Neighbors', 'Blunder', 'Road Trip'] },
  { name: 'Action', leads: ['Lethal', 'Maximum', 'Rogue', 'Deadly', 'Iron', 'Rapid', 'Hard', 'Final'], nouns: ['Strike', 'Fury', 'Bullet', 'Mission', 'Target', 'Vengeance', 'Force', 'Showdown'] },
  { name: 'Fantasy', leads: ['Enchanted', 'Dragon', 'Elven', 'Magic', 'Crystal', 'Golden', 'Ancient', 'Mystic'], nouns: ['Kingdom', 'Sword', 'Quest', 'Wizard', 'Realm', 'Throne', 'Spell', 'Prophecy'] },
  { name: 'Animation', leads: ['Little', 'Happy', 'Tiny', 'Brave', 'Fluffy', 'Magic', 'Toy', 'Jolly'], nouns: ['Bunny', 'Puppy', 'Penguin', 'Friends', 'Toys', 'Critters', 'Adventure', 'Kitten'] },
  { name: 'Drama', leads: ['Quiet', 'Broken', 'Distant', 'Long', 'Fading', 'Last', 'Bitter', 'Gentle'], nouns: ['River', 'Memory', 'Silence', 'Letters', 'Journey', 'Season', 'Family', 'Harvest'] },
  { name: 'Thriller', leads: ['Hidden', 'Dark', 'Fatal', 'Twisted', 'Deep', 'Cold', 'Perfect', 'Blind'], nouns: ['Conspiracy', 'Witness', 'Code', 'Suspect', 'Edge', 'Obsession', 'Alibi', 'Trap'] },
  { name: 'Western', leads: ['Dusty', 'Lone', 'Wild', 'High', 'Desert', 'Outlaw', 'Rusty', 'Frontier'], nouns: ['Canyon', 'Gunslinger', 'Sheriff', 'Saloon', 'Ranch', 'Rider', 'Trail', 'Stagecoach'] },
  { name: 'Crime', leads: ['Dirty', 'Underworld', 'Street', 'Mob', 'Crooked', 'Double', 'Downtown', 'Stolen'], nouns: ['Heist', 'Gangster', 'Cartel', 'Detective', 'Racket', 'Score', 'Syndicate', 'Getaway'] },
  { name: 'War', leads: ['Iron', 'Red', 'Brave', 'Burning', 'Northern', 'Fallen', 'Steel', 'Eastern'], nouns: ['Battalion', 'Battle', 'Front', 'Soldier', 'Trenches', 'Platoon', 'Beachhead', 'Regiment'] },
  { name: 'Musical', leads: ['Singing', 'Dancing', 'Broadway', 'Jazz', 'Rhythm', 'Melody', 'Swing', 'Rock'], nouns: ['Song', 'Dance', 'Ballad', 'Chorus', 'Stage', 'Symphony', 'Serenade', 'Tune'] },
  { name: 'Documentary', leads: ['Inside', 'Untold', 'True', 'Real', 'Wild', 'Hidden', 'Modern', 'Secret'], nouns: ['Story', 'Planet Earth', 'Chronicles', 'Ocean', 'Life', 'Truth', 'Archive', 'Expedition'] },
]);
