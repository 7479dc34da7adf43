// What no name a person gives may hold (integrations, sets, set runs, trigger tokens, uploads): line breaks and other
// control characters, and the invisible marks that reorder text. A name with U+202E reads backwards where it is shown:
// "Orders\u202edeliaf" showed as "Ordersfailed" reversed in an alert mail's subject and in the UI (probe21). One rule,
// where five regular expressions had grown (the lead's fifteenth-session note).
export const HIDDEN_IN_NAMES = /[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** The words for a name that holds one. */
export const HIDDEN_IN_NAMES_MESSAGE = 'A name holds no control characters (line breaks, tabs, NUL) or invisible direction marks';

export const hasHiddenCharacters = (name: string): boolean => HIDDEN_IN_NAMES.test(name);
