// Piscina worker entry: one task = one file.
import { analyzeFile } from './analyze-file.js';

export default analyzeFile;
