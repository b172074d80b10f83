/** Fixture frames under test/fixtures/<venue>/: real-format frames, one per file. */
import { readdirSync, readFileSync } from 'node:fs';

const FIXTURES = new URL('../fixtures/', import.meta.url);

/** A fixture frame as it goes on the wire (files end with a newline; frames do not). */
export function fixtureText(venue: string, name: string): string {
  return readFileSync(new URL(`${venue}/${name}.json`, FIXTURES), 'utf8').replace(/\n$/, '');
}

/** A fixture frame parsed, to be edited (fresh times, other ids) and sent with JSON.stringify. */
export function fixtureJson<T = Record<string, unknown>>(venue: string, name: string): T {
  return JSON.parse(fixtureText(venue, name)) as T;
}

/** Every fixture of a venue, by name (no `.json`), sorted. */
export function fixtureNames(venue: string): string[] {
  // Not filtered on .json: a stray file shows up in the coverage test instead of hiding.
  return readdirSync(new URL(`${venue}/`, FIXTURES))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}
