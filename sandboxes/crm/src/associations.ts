/**
 * The associations the seed world holds: every contact and every deal has one primary
 * company. HubSpot reports such a link with two HubSpot-defined types, the primary one
 * (label "Primary") and the unlabeled one (label null), in both directions. Type ids are
 * HubSpot's defaults ("Association type ID values", associations v4 guide): contact to
 * company 1 / 279, company to contact 2 / 280, deal to company 5 / 341, company to deal 6 / 342.
 */
import type { CrmData } from './CrmData.js';
import type { ObjectTypeDef, ObjectTypeName } from './objectTypes.js';

export interface AssociationType {
  category: 'HUBSPOT_DEFINED';
  typeId: number;
  label: string | null;
}

interface PairTypes {
  primary: number;
  unlabeled: number;
}

const TYPE_IDS: Partial<Record<`${ObjectTypeName}>${ObjectTypeName}`, PairTypes>> = {
  'contacts>companies': { primary: 1, unlabeled: 279 },
  'companies>contacts': { primary: 2, unlabeled: 280 },
  'deals>companies': { primary: 5, unlabeled: 341 },
  'companies>deals': { primary: 6, unlabeled: 342 },
};

/** The v4 association types of one link from `from` to `to` (primary first). */
export function associationTypes(from: ObjectTypeDef, to: ObjectTypeDef): AssociationType[] {
  const ids = TYPE_IDS[`${from.name}>${to.name}`];
  if (!ids) return [];
  return [
    { category: 'HUBSPOT_DEFINED', typeId: ids.primary, label: 'Primary' },
    { category: 'HUBSPOT_DEFINED', typeId: ids.unlabeled, label: null },
  ];
}

/** The v3 names of the same two types, as GET …?associations= lists them. */
export function v3AssociationTypeNames(from: ObjectTypeDef, to: ObjectTypeDef): string[] {
  const name = `${from.singular}_to_${to.singular}`;
  return TYPE_IDS[`${from.name}>${to.name}`] ? [name, `${name}_unlabeled`] : [];
}

/**
 * Ids of the `to` records associated with record `fromId`, in id order. Pairs the seed world
 * does not link (contact to deal, same-type) have none, as a record without links would.
 */
export function associatedIds(data: CrmData, from: ObjectTypeDef, to: ObjectTypeDef, fromId: string): string[] {
  if (from.name === 'companies' && (to.name === 'contacts' || to.name === 'deals')) {
    return data.childIds(to.name, fromId);
  }
  if ((from.name === 'contacts' || from.name === 'deals') && to.name === 'companies') {
    const companyId = data.get(from.name, fromId)?.companyId;
    return companyId ? [companyId] : [];
  }
  return [];
}
