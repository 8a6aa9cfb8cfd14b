/** Rows of five users, shared by the UAUC/GAUC and evaluateCtr tests. */
// Five users:
//   a: (1, 0.9) (0, 0.2) (0, 0.95) -> pos {0.9} vs neg {0.2, 0.95}: 1 + 0 = 1 / 2 = 0.5, P_a = 1
//   b: (1, 0.3) (1, 0.7) (0, 0.3)  -> pos {0.3, 0.7} vs neg {0.3}: 0.5 + 1 = 1.5 / 2 = 0.75, P_b = 2
//   c: (1, 0.4)                    -> one row: skipped
//   d: (0, 0.6) (0, 0.1)           -> one class: skipped
//   e: (0, 0.1) (1, 0.8) (1, 0.6) (1, 0.2) (0, 0.5)
//                                  -> pos {0.8, 0.6, 0.2} vs neg {0.1, 0.5}: 2 + 2 + 1 = 5 / 6, P_e = 3
export const users = ['a', 'a', 'a', 'b', 'b', 'b', 'c', 'd', 'd', 'e', 'e', 'e', 'e', 'e'];
export const labels = [1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0];
export const scores = [0.9, 0.2, 0.95, 0.3, 0.7, 0.3, 0.4, 0.6, 0.1, 0.1, 0.8, 0.6, 0.2, 0.5];
