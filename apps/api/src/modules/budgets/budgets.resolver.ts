import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Access, OrgRead, OrgWideRead, OrgWideWrite } from '../../graphql/policy';
import type { OrgAccess } from '../access/principal';
import { ORG_ARG } from '../accounts/org-arg';
import { BudgetsService } from './budgets.service';
import { AlertDestinationInput, BudgetInput } from './dto/budget.input';
import {
  AlertDelivery,
  AlertDestination,
  Budget,
  BudgetAlert,
  BudgetStatus,
  CreatedAlertDestination,
  SpendForecast,
} from './models/budget.model';

/** Budgets (organization-wide: project keys are refused), their status, alerts and destinations. */
@Resolver(() => Budget)
export class BudgetsResolver {
  constructor(private readonly service: BudgetsService) {}

  @Query(() => [Budget])
  @OrgWideRead()
  budgets(@Access() access: OrgAccess, @Args(ORG_ARG) _org?: string): Promise<Budget[]> {
    return this.service.list(access);
  }

  @Query(() => BudgetStatus, {
    description: 'Spend so far in the current period, remaining, "resets in N days", and past periods.',
  })
  @OrgWideRead()
  budgetStatus(
    @Access() access: OrgAccess,
    @Args('id', { type: () => ID }) id: string,
    @Args('history', { type: () => Int, defaultValue: 6, description: 'Past periods to include (0–24).' })
    history: number,
    @Args(ORG_ARG) _org?: string,
  ): Promise<BudgetStatus> {
    return this.service.status(access, id, history);
  }

  @Query(() => SpendForecast, {
    description:
      'Month-end spend of the organization (or one project) with a range, from the weekly rhythm and trend; beside the run rate.',
  })
  @OrgRead()
  forecast(
    @Access() access: OrgAccess,
    @Args('month', { description: '"2026-11": the current month or a later one.' }) month: string,
    @Args('project', { type: () => String, nullable: true }) project: string | null,
    @Args('timeZone', { defaultValue: 'UTC', description: 'IANA zone of the month.' }) timeZone: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<SpendForecast> {
    return this.service.forecast(access, month, project, timeZone);
  }

  @Mutation(() => Budget)
  @OrgWideWrite()
  createBudget(
    @Access() access: OrgAccess,
    @Args('input') input: BudgetInput,
    @Args(ORG_ARG) _org?: string,
  ): Promise<Budget> {
    return this.service.create(access, input);
  }

  @Mutation(() => Budget)
  @OrgWideWrite()
  updateBudget(
    @Access() access: OrgAccess,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: BudgetInput,
    @Args(ORG_ARG) _org?: string,
  ): Promise<Budget> {
    return this.service.update(access, id, input);
  }

  @Mutation(() => Boolean)
  @OrgWideWrite()
  deleteBudget(
    @Access() access: OrgAccess,
    @Args('id', { type: () => ID }) id: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<boolean> {
    return this.service.delete(access, id);
  }

  @Query(() => [BudgetAlert], { description: 'Alerts raised, newest first.' })
  @OrgWideRead()
  budgetAlerts(
    @Access() access: OrgAccess,
    @Args('budgetId', { type: () => ID, nullable: true }) budgetId: string | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
    @Args(ORG_ARG) _org?: string,
  ): Promise<BudgetAlert[]> {
    return this.service.alertsOf(access, budgetId, first);
  }

  @Query(() => [AlertDestination])
  @OrgWideRead()
  alertDestinations(@Access() access: OrgAccess, @Args(ORG_ARG) _org?: string): Promise<AlertDestination[]> {
    return this.service.destinations(access);
  }

  @Mutation(() => CreatedAlertDestination, {
    description: 'The signing secret is in the answer, and never again.',
  })
  @OrgWideWrite()
  createAlertDestination(
    @Access() access: OrgAccess,
    @Args('input') input: AlertDestinationInput,
    @Args(ORG_ARG) _org?: string,
  ): Promise<CreatedAlertDestination> {
    return this.service.createDestination(access, input);
  }

  @Mutation(() => Boolean)
  @OrgWideWrite()
  deleteAlertDestination(
    @Access() access: OrgAccess,
    @Args('id', { type: () => ID }) id: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<boolean> {
    return this.service.deleteDestination(access, id);
  }

  @Mutation(() => AlertDelivery, {
    description: 'Sends a signed test message and returns its logged delivery.',
  })
  @OrgWideWrite()
  sendTestAlert(
    @Access() access: OrgAccess,
    @Args('destinationId', { type: () => ID }) destinationId: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<AlertDelivery> {
    return this.service.sendTest(access, destinationId);
  }

  @Query(() => [AlertDelivery], { description: 'The delivery log, newest first, with response codes.' })
  @OrgWideRead()
  alertDeliveries(
    @Access() access: OrgAccess,
    @Args('destinationId', { type: () => ID, nullable: true }) destinationId: string | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
    @Args(ORG_ARG) _org?: string,
  ): Promise<AlertDelivery[]> {
    return this.service.deliveries(access, destinationId, first);
  }
}
