export { type KafkaHandler, type KafkaHandlerDeps, kafkaHandler } from './kafkaHandler.js';
