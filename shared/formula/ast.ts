// The formula syntax tree. The checker fills in `type` (and `constant` where it folds).
import type { FormulaType } from './types';

export type CompareOp = '=' | '<>' | '!=' | '<' | '<=' | '>' | '>=';
/** Operators of one precedence level; a run of them is one flat `chain` node (left to right). */
export type ChainLevel = 'or' | 'and' | 'concat' | 'add' | 'mul' | 'pow';
export type ChainOp = 'OR' | 'AND' | '&' | '+' | '-' | '*' | '/' | '^';

interface Base {
  start: number;
  end: number;
  /** Set by the checker. */
  type?: FormulaType;
  /** Set by the checker when the node is made only of constants and was evaluated once. */
  constant?: { value: unknown };
}

export type Node =
  | (Base & { k: 'num'; value: number })
  | (Base & { k: 'str'; value: string })
  | (Base & { k: 'bool'; value: boolean })
  | (Base & { k: 'null' })
  | (Base & { k: 'field'; name: string })
  /** A bare word that is not a call or keyword: always an error, reported by the checker. */
  | (Base & { k: 'name'; name: string })
  | (Base & { k: 'call'; name: string; nameEnd: number; args: Node[]; prep?: unknown })
  | (Base & { k: 'neg'; op: '-' | '+'; operand: Node })
  | (Base & { k: 'not'; operand: Node })
  | (Base & { k: 'chain'; level: ChainLevel; ops: ChainOp[]; operands: Node[] })
  | (Base & { k: 'compare'; op: CompareOp; left: Node; right: Node });

export type NodeOf<K extends Node['k']> = Extract<Node, { k: K }>;
