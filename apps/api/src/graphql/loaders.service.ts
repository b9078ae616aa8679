import { Injectable } from '@nestjs/common';
import { PrismaClient } from '@tokenledger/db';
import type { GraphQLRequest } from './graphql-context';
import { Loaders } from './loaders';

/** Hands out the loaders of one request (created on first use, gone with the request). */
@Injectable()
export class LoadersService {
  constructor(private readonly prisma: PrismaClient) {}

  of(req: GraphQLRequest): Loaders {
    req.loaders ??= new Loaders(this.prisma);
    return req.loaders;
  }
}
