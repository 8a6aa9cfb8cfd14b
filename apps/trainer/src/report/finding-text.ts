import type { OrderingFinding } from './compare-orderings';

/** "holds", "does not hold" or "not checked". */
export function findingVerdict(finding: OrderingFinding): string {
  return !finding.checked ? 'not checked' : finding.holds ? 'holds' : 'does not hold';
}

/** A one-sentence summary: how many checked orderings hold, and which do not. */
export function describeFindings(findings: readonly OrderingFinding[]): string {
  const checked = findings.filter((finding) => finding.checked);
  const failing = checked.filter((finding) => !finding.holds);
  const unchecked = findings.length - checked.length;
  const head = `${checked.length - failing.length} of ${checked.length} checked orderings hold on this run`;
  const tail = unchecked > 0 ? `; ${unchecked} could not be checked (a model or sweep point is missing)` : '';
  const failed = failing.length > 0 ? ` Where the paper's ordering does not hold here: ${failing.map((finding) => finding.claim).join('; ')}.` : '';
  return `${head}${tail}.${failed}`;
}

/** The paper's verdict on a finding as a sentence, or "" when the paper lacks the models. */
export function paperVerdict(finding: OrderingFinding): string {
  if (finding.paperHolds === undefined) return '';
  return `Paper (ML-1M): ${finding.paperHolds ? 'holds' : 'does not hold'}, ${finding.paperDetail ?? ''}.`;
}
