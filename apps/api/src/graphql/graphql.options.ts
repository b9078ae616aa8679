import { Logger } from '@nestjs/common';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { ApolloDriver } from '@nestjs/apollo';
import { ErrorCode, isTokenledgerError } from '@tokenledger/contracts';
import { isDatabaseUnavailable } from '@tokenledger/db';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { GraphQLFormattedError } from 'graphql';
import {
  assertStorableVariables,
  badRequest,
  depthLimitRule,
  KnownOperationTypesRule,
  StorableStringLiteralsRule,
} from './input-validation';

export const MAX_QUERY_DEPTH = 8;
export const MAX_QUERY_COMPLEXITY = 1000;

const GRAPHQL_CODES: Record<string, ErrorCode> = {
  GRAPHQL_PARSE_FAILED: ErrorCode.ValidationFailed,
  GRAPHQL_VALIDATION_FAILED: ErrorCode.ValidationFailed,
  BAD_USER_INPUT: ErrorCode.ValidationFailed,
  PERSISTED_QUERY_NOT_FOUND: ErrorCode.ValidationFailed,
  BAD_REQUEST: ErrorCode.ValidationFailed,
};

const logger = new Logger('graphql');

/** Every GraphQL error carries a code from contracts; unexpected ones are logged, never leaked. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as { originalError?: unknown } | null)?.originalError ?? error;
  if (isTokenledgerError(original)) {
    return {
      message: original.message,
      path: formatted.path,
      extensions: {
        code: original.code,
        ...(original.details === undefined ? {} : { details: original.details }),
      },
    };
  }
  const graphqlCode = String(formatted.extensions?.code ?? '');
  if (GRAPHQL_CODES[graphqlCode]) {
    return {
      message: formatted.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: GRAPHQL_CODES[graphqlCode], graphqlCode },
    };
  }
  if (graphqlCode && (Object.values(ErrorCode) as string[]).includes(graphqlCode)) {
    return { message: formatted.message, path: formatted.path, extensions: { code: graphqlCode } };
  }
  if (isDatabaseUnavailable(original)) {
    return {
      message: 'The database is unavailable; retry shortly',
      path: formatted.path,
      extensions: { code: ErrorCode.ServiceUnavailable },
    };
  }
  logger.error(original instanceof Error ? (original.stack ?? original.message) : String(original));
  return {
    message: 'Internal error; it has been logged',
    path: formatted.path,
    extensions: { code: ErrorCode.Internal },
  };
}

export function graphqlOptions(): ApolloDriverConfig {
  return {
    driver: ApolloDriver,
    path: '/graphql',
    autoSchemaFile: true,
    sortSchema: true,
    graphiql: process.env.NODE_ENV !== 'production',
    includeStacktraceInErrorResponses: false,
    formatError,
    validationRules: [depthLimitRule(MAX_QUERY_DEPTH), KnownOperationTypesRule, StorableStringLiteralsRule],
    plugins: [
      {
        async requestDidStart() {
          return {
            // Runs after validation, before execution: what is refused here is a 400, never a 500.
            async didResolveOperation({ request, document, schema }) {
              assertStorableVariables(request.variables);
              let complexity: number;
              try {
                complexity = getComplexity({
                  schema,
                  operationName: request.operationName ?? undefined,
                  query: document,
                  variables: request.variables ?? {},
                  estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
                });
              } catch (error) {
                // It coerces the variables first: a bad one is the client's mistake.
                throw badRequest(error instanceof Error ? error.message : String(error));
              }
              if (complexity > MAX_QUERY_COMPLEXITY) {
                throw badRequest(
                  `The query is too complex (${complexity} > ${MAX_QUERY_COMPLEXITY}); ask for fewer fields or items`,
                );
              }
            },
          };
        },
      },
    ],
  };
}
