import { Injectable } from '@nestjs/common';
import { ProjectsRepository, UsersRepository } from '@tokenledger/db';
import type { GraphQLRequest } from './graphql-context';
import { Loaders } from './loaders';

/** Hands out the loaders of one request (created on first use, gone with the request). */
@Injectable()
export class LoadersService {
  constructor(
    private readonly projects: ProjectsRepository,
    private readonly users: UsersRepository,
  ) {}

  of(req: GraphQLRequest): Loaders {
    req.loaders ??= new Loaders(this.projects, this.users);
    return req.loaders;
  }
}
