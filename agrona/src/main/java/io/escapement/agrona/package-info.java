/**
 * Escapement's timer service in an Agrona duty cycle: {@link io.escapement.agrona.TimerServiceAgent} runs the
 * service's owner loop as an {@link org.agrona.concurrent.Agent}, and {@link io.escapement.agrona.DeadlineIdleStrategy}
 * idles until the service's next deadline. A module of its own, so that the engine depends on nothing but
 * HdrHistogram.
 */
package io.escapement.agrona;
