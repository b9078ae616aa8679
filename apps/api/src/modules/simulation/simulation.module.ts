import { Module } from '@nestjs/common';
import { SimulationResolver } from './simulation.resolver';
import { SimulationService } from './simulation.service';

@Module({ providers: [SimulationService, SimulationResolver] })
export class SimulationModule {}
