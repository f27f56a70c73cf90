/**
 * One record (one video) of a feature file cannot become a video: the readers
 * throw it inside a record and catch it per record, so that the file's other
 * videos are still read and the message becomes a warning naming the record.
 * The message says what is wrong with the record; the caller adds the file
 * and the record's position.
 */
export class SkipRecord extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SkipRecord';
  }
}
