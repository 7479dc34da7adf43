// A step's role (source, transform, target) comes from its kind's category in the registry, never from how
// the kind's id is spelled: a kind named "webhook" or "hubspot-sync" is placed by what it declares.
import { getKind, KIND_IDS, type KindCategory, type KindId } from '../graph/kinds';

/** The category of the step's kind; undefined for a kind the registry does not know. */
export const stepRole = (kind: string): KindCategory | undefined => getKind(kind)?.category;

/** The ids of every kind in one category, e.g. to select a run's target steps in a query. */
export const kindIdsOf = (category: KindCategory): KindId[] => KIND_IDS.filter((k) => getKind(k)?.category === category);
