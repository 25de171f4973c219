// A scenario refusing to run where it cannot (the simulated wire, a missing tool): the message
// says why and what to do; the verdict is 'refused'.
export class ScenarioRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioRefused';
  }
}
