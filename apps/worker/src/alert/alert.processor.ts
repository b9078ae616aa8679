import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import type { AlertJob } from '@tokenledger/contracts';
import {
  AlertsRepository,
  BudgetMonitor,
  BudgetsRepository,
  OrganizationsRepository,
  type MonitorOutcome,
} from '@tokenledger/db';
import type { Job } from 'bullmq';
import { QueueProcessor } from '../queue-processor';
import { BudgetTrigger } from './budget-trigger';

/**
 * Consumes `{alert}`: evaluates budgets (BudgetMonitor in libs/db) for one organization, or for
 * every organization with a budget on the scheduler's tick. Alerts are made once by the database's
 * unique key and delivered by whichever worker claims them, so several workers can run this.
 */
@Injectable()
export class AlertProcessor extends QueueProcessor<'alert', MonitorOutcome> {
  constructor(
    @Inject(CONFIG) config: Config,
    private readonly monitor: BudgetMonitor,
    private readonly budgets: BudgetsRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly trigger: BudgetTrigger,
    private readonly alerts: AlertsRepository,
  ) {
    super(config, 'alert', { concurrency: 2, lockDuration: 60_000 });
  }

  override onApplicationBootstrap(): void {
    super.onApplicationBootstrap();
    this.trigger
      .schedule()
      .catch((e: Error) => this.logger.warn(`could not schedule budget checks: ${e.message}`));
    // The one-time upgrade: destinations made before signing secrets were sealed get sealed now
    // (idempotent; also done on a destination's first use). Never logs a secret, only counts.
    this.alerts
      .sealLegacySecrets()
      .then((n) => n > 0 && this.logger.log(`sealed the signing secrets of ${n} alert destination(s)`))
      .catch((e: Error) =>
        this.logger.error(`could not seal the alert destinations' plaintext signing secrets: ${e.message}`),
      );
  }

  async process(job: Job<AlertJob>): Promise<MonitorOutcome> {
    const now = new Date();
    const orgs = job.data.organizationId
      ? [await this.organizations.findById(job.data.organizationId)].filter((o) => o !== null)
      : await this.budgets.organizationsWithBudgets();
    const total: MonitorOutcome = { budgets: 0, alertsCreated: 0, deliveries: 0 };
    for (const org of orgs) {
      const outcome = await this.monitor.evaluate({ id: org.id, slug: org.slug }, now);
      total.budgets += outcome.budgets;
      total.alertsCreated += outcome.alertsCreated;
      total.deliveries += outcome.deliveries;
      if (outcome.deliveryError) {
        total.deliveryError = outcome.deliveryError;
        this.logger.error(`budget alerts of organization ${org.slug} wait: ${outcome.deliveryError}`);
      }
    }
    if (total.alertsCreated > 0) this.logger.log(`${total.alertsCreated} budget alert(s) raised`);
    return total;
  }

  protected async onFailedForGood(job: Job<AlertJob>, error: Error): Promise<void> {
    this.logger.error(`budget evaluation ${job.id} failed: ${error.message}`);
  }
}
