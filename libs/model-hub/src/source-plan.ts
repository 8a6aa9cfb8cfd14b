import { type ModelFile } from './model-entry';
import { type FilePiece } from './verified-file';

/** A source made ready to deliver a model's files (wheels downloaded, a folder checked). */
export interface SourcePlan {
  /** Where the bytes come from, for messages. */
  readonly origin: string;
  /** The pieces that make one model file, in order. */
  piecesFor(file: ModelFile): readonly FilePiece[];
  /** Removes whatever the source left behind (downloaded wheels). */
  dispose(): Promise<void>;
}
