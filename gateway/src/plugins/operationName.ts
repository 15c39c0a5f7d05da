/**
 * The name an operation is logged and counted under. Apollo Server resolves
 * `operationName` only once the document validates; for an operation that fails
 * validation the name is still in the parsed document, and an operator wants it there
 * (the failing operation is the interesting one). Null when the client sent no name.
 */
import type { GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { getOperationAST } from 'graphql';

type Named = Pick<GraphQLRequestContextWillSendResponse<object>, 'operationName' | 'request' | 'document'>;

export function operationNameOf({ operationName, request, document }: Named): string | null {
  if (operationName) return operationName;
  if (document) {
    const name = getOperationAST(document, request.operationName)?.name?.value;
    if (name) return name;
  }
  return request.operationName ?? null;
}
