export {
  type FinalSweeperDeps,
  type FinalSweeperHandler,
  finalSweeperHandler,
  type SweepRun,
} from './finalSweeperHandler.js';
export { type KafkaHandler, type KafkaHandlerDeps, kafkaHandler } from './kafkaHandler.js';
