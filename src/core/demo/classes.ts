/**
 * The demo's made-up classes. Each is signalled by a short event whose pattern
 * lives in the rgb features, the audio features or both, so a person can check
 * by eye which modality's attention should light up.
 */
export interface DemoClass {
  name: string;
  rgb: boolean;
  audio: boolean;
}

export const DEMO_CLASSES: readonly DemoClass[] = [
  { name: 'applause', rgb: false, audio: true },
  { name: 'goal', rgb: true, audio: true },
  { name: 'engine start', rgb: false, audio: true },
  { name: 'dog bark', rgb: true, audio: true },
  { name: 'door knock', rgb: false, audio: true },
  { name: 'glass break', rgb: true, audio: true },
  { name: 'siren', rgb: true, audio: true },
  { name: 'lightning', rgb: true, audio: false },
  { name: 'fireworks', rgb: true, audio: true },
  { name: 'wave crash', rgb: true, audio: false },
];
