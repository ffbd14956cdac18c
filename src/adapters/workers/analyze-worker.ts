// Piscina worker entry: one task = one service's files, read as one log.
import { analyzeFiles } from './analyze-file.js';

export default analyzeFiles;
