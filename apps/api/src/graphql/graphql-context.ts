import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../modules/access/principal';
import type { Loaders } from './loaders';

export type GraphQLRequest = FastifyRequest & { principal?: Principal; loaders?: Loaders };

export interface GraphQLContext {
  req: GraphQLRequest;
}

export function requestOf(context: ExecutionContext): GraphQLRequest {
  return GqlExecutionContext.create(context).getContext<GraphQLContext>().req;
}

/** The caller of this GraphQL operation (undefined when no Authorization header was sent). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => requestOf(context).principal,
);
