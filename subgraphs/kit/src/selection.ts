/**
 * Whether a query asks for a field of the value a resolver returns, so that a subgraph
 * pays for an extra backend call (HubSpot's count, Odoo's search_count) only when the
 * client selected the field that needs it (totalCount).
 */
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

function selects(set: SelectionSetNode | undefined, name: string, info: GraphQLResolveInfo, seen: Set<string>): boolean {
  if (!set) return false;
  return set.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === name;
    if (selection.kind === Kind.INLINE_FRAGMENT) return selects(selection.selectionSet, name, info, seen);
    const fragmentName = selection.name.value;
    if (seen.has(fragmentName)) return false;
    seen.add(fragmentName);
    return selects(info.fragments[fragmentName]?.selectionSet, name, info, seen);
  });
}

/**
 * True when `name` is selected on the current field's value, in any fragment. A field
 * under @skip/@include counts as selected: at worst one call too many, never a missing value.
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  return info.fieldNodes.some((node) => selects(node.selectionSet, name, info, new Set()));
}
