import { runService } from '@pinzhi/platform';
import { gradingService } from './grading-service.js';

runService(gradingService);
