export { gradingService } from './grading-service.js';
