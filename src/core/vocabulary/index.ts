export { classNamesFor, parseVocabularyCsv } from './vocabulary';
