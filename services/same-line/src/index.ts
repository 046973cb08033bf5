export { sameLineService } from './same-line-service.js';
